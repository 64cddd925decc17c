// The Handlebars sources under templates/. They ship with fabric; a spec can
// never name a template (RELIABILITY C7).
import { readFileSync } from 'node:fs';
import fg from 'fast-glob';
import { packageRoot } from '../paths.ts';

export function loadTemplates(): [string, string][] {
  const dir = `${packageRoot()}/templates`;
  return fg.sync('**/*.hbs', { cwd: dir }).sort().map((file) => [file, readFileSync(`${dir}/${file}`, 'utf8')]);
}
