// Passwords inside URLs that come from command lines (`-b redis://:secret@host`) are never printed.
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)[^\s@'"/]+@/gi, '$1****@');
}

const SECRET_KEY = /pass|secret|token|key|auth|sig/i;

/**
 * A broker URL (or a `;`-separated failover list) with every password and
 * secret-looking query value replaced by ****. Text that is not a URL has
 * everything between `://` and the last `@` masked, so an odd password
 * (with `/` or `@` in it) never shows.
 */
export function maskSecretUrl(text: string): string {
  return text.split(';').map(maskOne).join(';');
}

function maskOne(part: string): string {
  const at = part.lastIndexOf('@');
  const scheme = part.indexOf('://');
  let url: URL | null = null;
  try {
    // The URL parser drops tabs and newlines silently; such text is kept as it came.
    url = /[\x00-\x1f\x7f]/.test(part) ? null : new URL(part);
  } catch {
    url = null;
  }
  if (url && (url.host !== '' || at < 0)) {
    if (url.password) url.password = '****';
    for (const k of [...url.searchParams.keys()]) if (SECRET_KEY.test(k)) url.searchParams.set(k, '****');
    return url.href;
  }
  if (scheme >= 0 && at > scheme) return `${part.slice(0, scheme + 3)}****${part.slice(at)}`;
  return at >= 0 ? `****${part.slice(at)}` : part;
}
