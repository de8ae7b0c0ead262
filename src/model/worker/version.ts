// Versions from worker names are PEP 440 (Python packaging) or semver. Both
// are mapped onto one semver string so a single ordering, and semver ranges,
// work for either. Pure, and never throws: names come from the network.
// The functions themselves, not semver's index, which loads all forty of its modules at start-up.
import compare from 'semver/functions/compare.js';
import parse from 'semver/functions/parse.js';
import satisfies from 'semver/functions/satisfies.js';
import validRange from 'semver/ranges/valid.js';

export type ParsedVersion =
  | { ok: true; semver: string; text: string }
  | { ok: false; text: string; why: string };

// semver refuses longer strings anyway; this also bounds regex work.
const MAX_LENGTH = 256;

// PEP 440's own pattern (on lower-cased input): epoch, release, pre, post
// (including the implicit `-N` form), dev and local.
const PEP440 = new RegExp(
  '^v?(?:(\\d+)!)?(\\d+(?:\\.\\d+)*)' +
    '(?:[-_.]?(alpha|beta|preview|pre|rc|a|b|c)[-_.]?(\\d+)?)?' +
    '(?:-(\\d+)|[-_.]?(post|rev|r)[-_.]?(\\d+)?)?' +
    '(?:[-_.]?(dev)[-_.]?(\\d+)?)?' +
    '(?:\\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$',
);

const PRE_LABEL: Record<string, string> = {
  a: 'alpha', alpha: 'alpha', b: 'beta', beta: 'beta',
  c: 'rc', rc: 'rc', pre: 'rc', preview: 'rc',
};

const bad = (text: string, why: string): ParsedVersion => ({ ok: false, text, why });

/** Maps a raw version text onto semver, keeping PEP 440's ordering. */
export function parseVersion(text: string): ParsedVersion {
  let raw = '';
  try {
    raw = typeof text === 'string' ? text : String(text);
    return mapVersion(raw);
  } catch {
    return bad(raw, 'not a version');
  }
}

function mapVersion(text: string): ParsedVersion {
  const t = text.trim();
  if (t === '') return bad(text, 'empty version');
  if (t.length > MAX_LENGTH) return bad(text, `longer than ${MAX_LENGTH} characters`);
  const m = PEP440.exec(t.toLowerCase());
  if (!m) {
    // Semver that PEP 440 cannot express, e.g. 1.0.0-alpha.beta or 1.0.0-x.7.z.92.
    const plain = canonical(t);
    return plain ? { ok: true, semver: plain, text } : bad(text, 'neither PEP 440 nor semver');
  }
  const [, epoch, release, preLabel, preNum, postImplicit, postLabel, postNum, devLabel, devNum, local] = m;
  const isPost = postImplicit !== undefined || postLabel !== undefined;
  if (epoch !== undefined) return bad(text, 'version epochs (N!) are not supported');
  const parts = release.split('.').map(Number);
  if (parts.length > 3) return bad(text, 'more than three release numbers (X.Y.Z) cannot be mapped to semver');
  while (parts.length < 3) parts.push(0);
  const nums = [...parts, Number(preNum ?? 0), Number(postImplicit ?? postNum ?? 0), Number(devNum ?? 0)];
  if (!nums.every((n) => Number.isSafeInteger(n) && n < Number.MAX_SAFE_INTEGER)) return bad(text, 'a number in it is too large');
  const hasPre = preLabel !== undefined;
  const hasDev = devLabel !== undefined;
  if (hasDev && (hasPre || isPost)) {
    // preN.devK sorts below preN, which semver can only say by changing preN itself.
    return bad(text, 'a .dev segment on a pre- or post-release cannot be mapped to semver');
  }
  const [major, minor] = parts;
  let patch = parts[2];
  const pre: string[] = [];
  if (hasPre) {
    pre.push(PRE_LABEL[preLabel], String(Number(preNum ?? 0)));
    if (isPost) pre.push('post', String(nums[4]));
  } else if (isPost) {
    // A post-release sits after X.Y.Z and before anything of X.Y.(Z+1),
    // including its .dev builds (0.dev.K), hence the extra numeric 0.
    patch += 1;
    pre.push('0', '0', 'post', String(nums[4]));
  } else if (hasDev) {
    // Numeric identifiers sort lowest, so 0.dev.K comes before alpha.
    pre.push('0', 'dev', String(nums[5]));
  }
  let out = `${major}.${minor}.${patch}`;
  if (pre.length) out += `-${pre.join('.')}`;
  if (local !== undefined) out += `+${local.replace(/[-_]/g, '.')}`;
  const valid = canonical(out);
  return valid ? { ok: true, semver: valid, text } : bad(text, 'cannot be mapped to semver');
}

// semver.valid() drops build metadata; keep it (it carries PEP 440 local labels).
function canonical(s: string): string | null {
  const p = parse(s);
  if (p === null) return null;
  return p.build.length > 0 ? `${p.version}+${p.build.join('.')}` : p.version;
}

/** <0, 0, >0 like a comparator; null when either text is not a version. */
export function compareVersions(a: string, b: string): number | null {
  const pa = parseVersion(a);
  const pb = parseVersion(b);
  if (!pa.ok || !pb.ok) return null;
  return compare(pa.semver, pb.semver);
}

export function isValidRange(range: string): boolean {
  try {
    if (typeof range !== 'string' || range.trim() === '' || range.length > 1024) return false;
    return validRange(range) !== null;
  } catch {
    return false;
  }
}

/** Pre-releases count (includePrerelease): 0.14.0rc1 is within >=0.13.0 <0.15.0. */
export function satisfiesRange(version: string, range: string): { ok: boolean; why?: string } {
  const v = parseVersion(version);
  if (!v.ok) return { ok: false, why: `version ${JSON.stringify(v.text)} cannot be parsed (${v.why})` };
  if (!isValidRange(range)) return { ok: false, why: `${JSON.stringify(String(range))} is not a valid semver range` };
  try {
    return { ok: satisfies(v.semver, range, { includePrerelease: true }) };
  } catch {
    return { ok: false, why: `${JSON.stringify(range)} is not a valid semver range` };
  }
}
