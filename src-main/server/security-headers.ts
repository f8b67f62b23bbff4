/**
 * Response headers for the two kinds of origin `tidepool serve` has: the app (never framed by anyone, a
 * strict CSP) and each workspace's IDE (framable only by the app, so the browser UI can show it).
 */
import type { OutgoingHttpHeaders } from 'node:http';

export function appHeaders(origin: string): OutgoingHttpHeaders {
  const url = new URL(origin);
  const wsOrigin = `${url.protocol === 'https:' ? 'wss:' : 'ws:'}//${url.host}`;
  // IDE origins are the same host on per-workspace ports.
  const ideOrigins = `${url.protocol}//${url.hostname}:*`;
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      `connect-src 'self' ${wsOrigin}`,
      `frame-src ${ideOrigins}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}

/** The IDE may be framed by the app's origin only. */
export function ideFrameHeaders(appOrigin: string): OutgoingHttpHeaders {
  return {
    'content-security-policy': `frame-ancestors ${appOrigin}`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}
