// Passwords inside URLs that come from command lines (`-b redis://:secret@host`) are never printed.
export function redactUrls(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)[^\s@'"/]+@/gi, '$1****@');
}
