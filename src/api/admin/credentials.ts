// HTTP Basic credentials, so that a browser can open an admin page: the password is the admin key.

/** `Basic base64(user:password)` -> password (the user name is ignored). */
export function basicPassword(header: string | undefined): string | undefined {
  const match = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon < 0 ? undefined : decoded.slice(colon + 1);
}
