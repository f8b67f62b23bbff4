import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentTypeFor } from '../util/content-type.js';
import { resolveAppFile } from './app-files.js';

const ROOT = '/opt/Tidepool/out/renderer';

describe('serving the UI from app://tidepool/', () => {
  it('maps app URLs to files under the UI folder, the root to index.html', () => {
    expect(resolveAppFile(ROOT, 'app://tidepool/')).toBe(join(ROOT, 'index.html'));
    expect(resolveAppFile(ROOT, 'app://tidepool/index.html')).toBe(join(ROOT, 'index.html'));
    expect(resolveAppFile(ROOT, 'app://tidepool/assets/index-Abc123.js?v=1#x')).toBe(join(ROOT, 'assets/index-Abc123.js'));
    expect(resolveAppFile(ROOT, 'app://tidepool/assets/My%20Font.woff2')).toBe(join(ROOT, 'assets/My Font.woff2'));
  });

  it('refuses paths that climb out of the UI folder, however they are spelled', () => {
    for (const url of [
      'app://tidepool/../../etc/passwd',
      'app://tidepool/%2e%2e/%2e%2e/etc/passwd',
      'app://tidepool/assets/..%2f..%2f..%2fetc%2fpasswd',
      'app://tidepool/..%5c..%5cetc%5cpasswd',
      'app://tidepool/index.html%00.png',
      'app://tidepool/%E0%A4%A',
    ]) {
      const file = resolveAppFile(ROOT, url);
      if (file !== null) expect(file.startsWith(`${ROOT}/`), url).toBe(true);
    }
    expect(resolveAppFile(ROOT, 'app://tidepool/assets/..%2f..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveAppFile(ROOT, 'app://tidepool/index.html%00.png')).toBeNull();
    expect(resolveAppFile(ROOT, 'app://tidepool/%E0%A4%A')).toBeNull();
  });

  it('serves nothing for other hosts or schemes', () => {
    expect(resolveAppFile(ROOT, 'app://other/index.html')).toBeNull();
    expect(resolveAppFile(ROOT, 'file:///opt/Tidepool/out/renderer/index.html')).toBeNull();
  });

  it('names JavaScript as JavaScript (module scripts refuse anything else) and unknown files as bytes', () => {
    expect(contentTypeFor('/x/assets/index.js')).toMatch(/^text\/javascript/);
    expect(contentTypeFor('/x/index.HTML')).toMatch(/^text\/html/);
    expect(contentTypeFor('/x/styles.css')).toMatch(/^text\/css/);
    expect(contentTypeFor('/x/blob')).toBe('application/octet-stream');
  });
});
