// App images are pinned: a moving tag makes ArgoCD drift and re-renders unreproducible.
import { defineCheck } from '../check.ts';

export default defineCheck({
  name: 'image-pins',
  codes: ['FAB214'],
  run({ apps, report }) {
    for (const [app, a] of apps) {
      const ref = a.image.replace(/^[^/]+(:[0-9]+)\//, 'registry/'); // a registry port is not a tag
      const tag = /@sha256:/.test(ref) ? 'digest' : ref.includes(':') ? ref.slice(ref.lastIndexOf(':') + 1) : undefined;
      if (tag === undefined || tag === 'latest')
        report(
          'FAB214',
          ['apps', app, 'image'],
          `image ${a.image} is not pinned${tag === 'latest' ? ' (latest moves)' : ' (no tag)'}`,
          'give the image a version tag such as :0.1.0, or a digest @sha256:...; a moving tag makes ArgoCD drift and re-renders unreproducible',
        );
    }
  },
});
