/**
 * Stands in for the `semver` package in the Lambda bundles (an esbuild alias, see pipeline-function.ts). The
 * X-Ray SDK requires `semver` for one call, `semver.gte(AWS.VERSION, '2.7.15')`, made only when AWS SDK v2 is
 * captured, which these functions never do (they capture SDK v3 clients); the full package is 29 KB of bundle.
 * This compares release versions (major.minor.patch, numerically) and refuses anything else, loudly.
 */
function parts(version) {
  const match = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(String(version).trim());
  if (!match) throw new TypeError(`semver shim: cannot compare '${version}' (only x.y.z release versions)`);
  return match.slice(1).map(Number);
}

function gte(a, b) {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i];
  return true;
}

module.exports = { gte };
