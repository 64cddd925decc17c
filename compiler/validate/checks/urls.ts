// The patterns admit URL characters; git and ArgoCD also need the URL to parse
// (a port above 65535 does not).
import type { PathSegment } from '../../load.ts';
import { defineCheck } from '../check.ts';
import { dotted } from '../schema.ts';

export default defineCheck({
  name: 'urls',
  codes: ['FAB222'],
  run({ clusters, report, valueAt }) {
    const urls: PathSegment[][] = [
      ['git', 'repoURL'],
      ...clusters.filter(([, c]) => c.server !== undefined).map(([name]) => ['clusters', name, 'server']),
    ];
    for (const path of urls) {
      const url = valueAt(path) as string;
      if (url.startsWith('git@') || URL.canParse(url)) continue; // git@host:path is scp-like syntax, not a URL
      report(
        'FAB222',
        path,
        `${dotted(path)} is ${url}, which is not a URL`,
        'check the port (at most 65535) and the host name',
      );
    }
  },
});
