import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SERVICE_NAME } from './logger';
import type { BatchSummary } from './pipeline';

export const METRICS_NAMESPACE = 'KafkaClickHouse';

/** CloudWatch metrics (EMF) with a `table` dimension (and Powertools' `service`). */
export function createMetrics(table: string): Metrics {
  return new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME, defaultDimensions: { table } });
}

/** Emits one batch's figures; one EMF line per invocation. */
export function publishBatchMetrics(metrics: Metrics, summary: BatchSummary, auditFailures = 0): void {
  metrics.addMetric('RecordsReceived', MetricUnit.Count, summary.received);
  metrics.addMetric('RecordsInserted', MetricUnit.Count, summary.inserted);
  metrics.addMetric('DuplicatesSkipped', MetricUnit.Count, summary.skippedDuplicates);
  metrics.addMetric('RecordsSentToDlq', MetricUnit.Count, summary.sentToDlq);
  metrics.addMetric('BatchDuration', MetricUnit.Milliseconds, summary.durationMs);
  if (auditFailures > 0) metrics.addMetric('AuditWriteFailures', MetricUnit.Count, auditFailures);
  metrics.publishStoredMetrics();
}

/** A failed batch is counted too, so an alarm can watch a partition that keeps retrying. */
export function publishBatchFailure(metrics: Metrics, auditFailures = 0): void {
  metrics.addMetric('BatchFailures', MetricUnit.Count, 1);
  if (auditFailures > 0) metrics.addMetric('AuditWriteFailures', MetricUnit.Count, auditFailures);
  metrics.publishStoredMetrics();
}
