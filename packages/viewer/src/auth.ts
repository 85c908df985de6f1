import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'audit_tracing_viewer';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/**
 * Checks a request against the token: `Authorization: Bearer <token>` (exporters, scripts), the cookie the pages
 * got, or `?token=` in the address. Compared in constant time, on digests so the length leaks nothing either.
 */
export class TokenCheck {
  private readonly expected: Buffer;

  constructor(token: string) {
    this.expected = digest(token);
  }

  private matches(candidate: string | undefined): boolean {
    return candidate !== undefined && timingSafeEqual(digest(candidate), this.expected);
  }

  /** 'header' or 'cookie' when the request carries the token so; 'query' when only its address does. */
  check(req: IncomingMessage, url: URL): 'header' | 'cookie' | 'query' | undefined {
    const authorization = req.headers.authorization;
    if (authorization !== undefined && /^bearer /i.test(authorization) && this.matches(authorization.slice(7).trim())) return 'header';
    if (this.matches(cookieValue(req.headers.cookie, TOKEN_COOKIE))) return 'cookie';
    if (this.matches(url.searchParams.get('token') ?? undefined)) return 'query';
    return undefined;
  }

  /** The cookie that lets the pages' own requests through: not readable by scripts, never sent cross-site. */
  static cookie(token: string, path: string): string {
    return `${TOKEN_COOKIE}=${token}; Path=${path || '/'}; HttpOnly; SameSite=Strict`;
  }
}
