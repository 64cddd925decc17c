// Run `amtool check-config` over every generated Alertmanager config (the
// fallback config of each Mimir, alertmanager-fallback.yaml).
//
// Webhook `url_file` arrived in Alertmanager 0.26 (its CHANGELOG: "Webhook
// Integration: Support url_file"); Debian's amtool is 0.25 and rejects it as an
// unknown field. Mimir reads the fallback with a newer Alertmanager that knows
// it (docs/alerting.md). So an older amtool checks a copy in which each
// `url_file` is replaced by a placeholder `url`, and the report says so.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml, stringify } from 'yaml';
import { isRecord } from './objects.ts';
import type { Finding } from './types.ts';

const TIMEOUT_MS = 30_000;
/** What a `url_file` is replaced by for an amtool older than 0.26. */
export const URL_FILE_PLACEHOLDER = 'https://url-file.invalid/';

/** amtool's version as [major, minor, patch], or undefined when it does not say. */
export async function amtoolVersion(amtool: string): Promise<number[] | undefined> {
  const r = await execa(amtool, ['--version'], { reject: false, all: true, timeout: TIMEOUT_MS });
  const m = /version (\d+)\.(\d+)\.(\d+)/.exec(String(r.all ?? ''));
  return m ? m.slice(1).map(Number) : undefined;
}

export const knowsUrlFile = (v: number[] | undefined) => v !== undefined && (v[0] > 0 || v[1] >= 26);

/** The config with every webhook `url_file` replaced by a placeholder `url`; how many were replaced. */
export function withoutUrlFile(config: unknown): { config: unknown; replaced: number } {
  let replaced = 0;
  const receivers = isRecord(config) && Array.isArray(config.receivers) ? config.receivers : [];
  for (const r of receivers) {
    if (!isRecord(r) || !Array.isArray(r.webhook_configs)) continue;
    r.webhook_configs = r.webhook_configs.map((w: unknown) => {
      if (!isRecord(w) || !('url_file' in w)) return w;
      replaced++;
      const { url_file: _, ...rest } = w;
      return { url: URL_FILE_PLACEHOLDER, ...rest };
    });
  }
  return { config, replaced };
}

/** amtool check-config on each file (paths relative to root); notes say what was adapted. */
export async function checkAlertmanagerConfigs(
  amtool: string,
  root: string,
  files: string[],
): Promise<{ findings: Finding[]; notes: string[] }> {
  const version = await amtoolVersion(amtool);
  const adapt = !knowsUrlFile(version);
  const tempDir = await mkdtemp(join(tmpdir(), 'fabric-amtool-'));
  const findings: Finding[] = [];
  let adapted = 0;
  try {
    for (const [i, file] of files.entries()) {
      let target = join(root, file);
      if (adapt) {
        const { config, replaced } = withoutUrlFile(parseYaml(await readFile(target, 'utf8')));
        if (replaced > 0) {
          adapted++;
          target = join(tempDir, `am-${i}.yaml`);
          await writeFile(target, stringify(config));
        }
      }
      const r = await execa(amtool, ['check-config', target], { reject: false, all: true, timeout: TIMEOUT_MS });
      if (!r.failed) continue;
      const output = String(r.all ?? r.shortMessage)
        .split(target)
        .join(file)
        .split('\n')
        .filter((l) => l.trim() !== '' && !/^amtool: error: failed to validate/.test(l))
        .slice(0, 20)
        .join('\n');
      findings.push({ check: 'amtool', file, severity: 'error', message: `amtool check-config failed: ${output}` });
    }
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
  const notes =
    adapted > 0
      ? [
          `amtool: version ${version?.join('.') ?? 'unknown'} predates webhook url_file (Alertmanager 0.26), so ${adapted} config(s) were checked with url: ${URL_FILE_PLACEHOLDER} in its place`,
        ]
      : [];
  return { findings, notes };
}
