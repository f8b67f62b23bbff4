import { useEffect, useState } from 'react';
import { Icon } from './Icon.js';

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Older or locked-down contexts: copy through a temporary selection.
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  const copied = document.execCommand('copy');
  area.remove();
  if (!copied) throw new Error('Copy is not available here.');
}

/** Copies `text`; says “Copied” (visibly and to screen readers) for a moment afterwards. */
export function CopyButton({ text, label = 'Copy', what }: { text: string; label?: string; what: string }) {
  const [status, setStatus] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (status === 'idle') return;
    const timer = setTimeout(() => setStatus('idle'), 2000);
    return () => clearTimeout(timer);
  }, [status]);

  return (
    <button
      type="button"
      className="button button-small"
      aria-label={`${label} ${what}`}
      onClick={() => copyText(text).then(() => setStatus('copied'), () => setStatus('failed'))}
    >
      <Icon name={status === 'copied' ? 'check' : 'copy'} size={14} />
      <span aria-live="polite">{status === 'copied' ? 'Copied' : status === 'failed' ? 'Copy failed' : label}</span>
    </button>
  );
}
