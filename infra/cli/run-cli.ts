/**
 * Runs a command-line entry point: a failure prints one readable line (no stack trace unless
 * DEBUG is set) and exits with status 1.
 */
export function runCli(main: (argv: string[]) => Promise<void>): void {
  main(process.argv.slice(2)).then(
    () => process.exit(process.exitCode ?? 0),
    (error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`error: ${message}\n`);
      if (process.env.DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
      process.exit(1);
    },
  );
}
