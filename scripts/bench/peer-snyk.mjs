// Scans one image archive with snyk-docker-plugin, the library behind `snyk container test`.
// Prints the number of OS packages found as JSON, for the benchmark's peer comparison.
// Usage: node peer-snyk.mjs docker-archive:PATH|oci-archive:PATH [os/arch]
// Application dependencies are excluded because Strata reports OS packages only.
import { scan } from 'snyk-docker-plugin';

const [target, platform] = process.argv.slice(2);
if (target === undefined) {
  console.error('usage: node peer-snyk.mjs docker-archive:PATH|oci-archive:PATH [os/arch]');
  process.exit(2);
}

const started = performance.now();
const result = await scan({ path: target, 'exclude-app-vulns': true, ...(platform === undefined ? {} : { platform }) });
const graph = result.scanResults[0]?.facts.find((fact) => fact.type === 'depGraph')?.data;
// getPkgs() includes the image itself as the root package.
const packages = graph === undefined ? 0 : graph.getPkgs().length - 1;
console.log(JSON.stringify({ packages, scanMs: Math.round(performance.now() - started) }));
