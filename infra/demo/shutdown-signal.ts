/**
 * Aborts on the first SIGINT or SIGTERM, so a local tool can leave its consumer groups before it
 * exits (a member that just vanishes holds its group for a whole session timeout). A second
 * signal ends the process at once, as usual.
 */
export function shutdownSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  return controller.signal;
}
