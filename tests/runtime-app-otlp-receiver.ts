// A minimal OTLP/HTTP receiver for tests: accepts POST /v1/traces,
// /v1/metrics and /v1/logs on 127.0.0.1, keeps every request, answers 200.
// JSON bodies (OTEL_EXPORTER_OTLP_PROTOCOL=http/json) are parsed and
// flattened into spans, metric datapoints and log records; protobuf bodies are
// kept as raw bytes.
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';

export type Signal = 'traces' | 'metrics' | 'logs';

export interface Received {
  signal: Signal;
  contentType: string;
  body: Buffer;
  /** The parsed body when it was JSON. */
  json?: any;
}

/** OTLP/JSON AnyValue → plain JS value. */
export function anyValue(value: any): unknown {
  if (value == null) return undefined;
  if ('stringValue' in value) return value.stringValue;
  if ('intValue' in value) return Number(value.intValue);
  if ('doubleValue' in value) return value.doubleValue;
  if ('boolValue' in value) return value.boolValue;
  if ('arrayValue' in value) return (value.arrayValue.values ?? []).map(anyValue);
  if ('kvlistValue' in value) return attributes(value.kvlistValue.values);
  return undefined;
}

/** OTLP/JSON KeyValue[] → object. */
export function attributes(list: any[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, anyValue(kv.value)]));
}

export interface Span {
  traceId: string;
  spanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

export interface MetricPoint {
  name: string;
  unit: string;
  type: 'sum' | 'histogram' | 'gauge' | 'other';
  /** Sums: 1 delta, 2 cumulative. */
  temporality?: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  value?: number;
  count?: number;
  bounds?: number[];
  /** Histograms: bucketCounts[i] counts values in (bounds[i-1], bounds[i]]; one more bucket than bounds. */
  bucketCounts?: number[];
}

export interface LogRecord {
  traceId?: string;
  spanId?: string;
  severityText?: string;
  body: unknown;
  resource: Record<string, unknown>;
}

export class OtlpReceiver {
  readonly received: Received[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const signal = /^\/v1\/(traces|metrics|logs)$/.exec(req.url ?? '')?.[1] as Signal | undefined;
        if (req.method !== 'POST' || !signal) {
          res.writeHead(404).end();
          return;
        }
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const contentType = req.headers['content-type'] ?? '';
        const json = contentType.includes('json') ? JSON.parse(body.toString('utf8')) : undefined;
        this.received.push({ signal, contentType, body, json });
        // An empty Export*ServiceResponse means "all accepted" in both encodings.
        res.writeHead(200, {
          'content-type': contentType.includes('json') ? 'application/json' : 'application/x-protobuf',
        });
        res.end(contentType.includes('json') ? '{}' : undefined);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private bodies(signal: Signal): any[] {
    return this.received.filter((r) => r.signal === signal && r.json).map((r) => r.json);
  }

  spans(): Span[] {
    return this.bodies('traces').flatMap((body) =>
      (body.resourceSpans ?? []).flatMap((rs: any) =>
        (rs.scopeSpans ?? []).flatMap((ss: any) =>
          (ss.spans ?? []).map((s: any) => ({
            traceId: s.traceId,
            spanId: s.spanId,
            name: s.name,
            kind: s.kind,
            attributes: attributes(s.attributes),
            resource: attributes(rs.resource?.attributes),
          })),
        ),
      ),
    );
  }

  metricPoints(): MetricPoint[] {
    return this.bodies('metrics').flatMap((body) =>
      (body.resourceMetrics ?? []).flatMap((rm: any) =>
        (rm.scopeMetrics ?? []).flatMap((sm: any) =>
          (sm.metrics ?? []).flatMap((m: any) => {
            const resource = attributes(rm.resource?.attributes);
            const base = { name: m.name, unit: m.unit ?? '', resource };
            if (m.sum) {
              return m.sum.dataPoints.map((p: any) => ({
                ...base,
                type: 'sum',
                temporality: m.sum.aggregationTemporality,
                attributes: attributes(p.attributes),
                value: Number(p.asInt ?? p.asDouble),
              }));
            }
            if (m.histogram) {
              return m.histogram.dataPoints.map((p: any) => ({
                ...base,
                type: 'histogram',
                temporality: m.histogram.aggregationTemporality,
                attributes: attributes(p.attributes),
                count: Number(p.count),
                bounds: p.explicitBounds,
                bucketCounts: (p.bucketCounts ?? []).map(Number),
              }));
            }
            return [{ ...base, type: m.gauge ? 'gauge' : 'other', attributes: {} }];
          }),
        ),
      ),
    );
  }

  logRecords(): LogRecord[] {
    return this.bodies('logs').flatMap((body) =>
      (body.resourceLogs ?? []).flatMap((rl: any) =>
        (rl.scopeLogs ?? []).flatMap((sl: any) =>
          (sl.logRecords ?? []).map((r: any) => ({
            traceId: r.traceId || undefined,
            spanId: r.spanId || undefined,
            severityText: r.severityText,
            body: anyValue(r.body),
            resource: attributes(rl.resource?.attributes),
          })),
        ),
      ),
    );
  }
}

/** Polls `probe` until it returns a value that is not undefined, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
