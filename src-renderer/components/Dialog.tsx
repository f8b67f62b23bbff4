/**
 * A modal dialog: focus moves in (to the first field, or an element marked data-autofocus), Tab cycles
 * inside it, Escape closes it, and focus returns to where it was. While open it counts as an overlay,
 * which hides the desktop app's native IDE view (that view would otherwise paint over the dialog).
 */
import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useApp } from '../app/app-context.js';
import { Icon } from './Icon.js';

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((element) => !element.closest('[hidden]'));
}

export interface DialogProps {
  title: string;
  description?: ReactNode;
  /** Escape and the close button call this; omit while the dialog must not be dismissed. */
  onClose?: () => void;
  size?: 'small' | 'medium' | 'large';
  role?: 'dialog' | 'alertdialog';
  children: ReactNode;
  footer?: ReactNode;
}

export function Dialog({ title, description, onClose, size = 'medium', role = 'dialog', children, footer }: DialogProps) {
  const { stores } = useApp();
  const panel = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => stores.ui.getState().holdOverlay(), [stores]);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const root = panel.current;
    if (root) {
      const preferred = root.querySelector<HTMLElement>('[data-autofocus]');
      const fields = focusables(root).filter((element) => !element.classList.contains('dialog-close'));
      (preferred ?? fields[0] ?? root).focus();
    }
    return () => {
      if (previous?.isConnected) previous.focus();
    };
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape' && onClose) {
      event.stopPropagation();
      onClose();
      return;
    }
    if (event.key !== 'Tab' || !panel.current) return;
    const items = focusables(panel.current);
    if (items.length === 0) {
      event.preventDefault();
      return;
    }
    const first = items[0]!;
    const last = items[items.length - 1]!;
    const active = document.activeElement;
    if (event.shiftKey && (active === first || !panel.current.contains(active))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !panel.current.contains(active))) {
      event.preventDefault();
      first.focus();
    }
  };

  return createPortal(
    <div className="dialog-backdrop">
      <div
        ref={panel}
        className={`dialog dialog-${size}`}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descriptionId : undefined}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <header className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          {onClose ? (
            <button type="button" className="icon-button dialog-close" aria-label="Close" onClick={onClose}>
              <Icon name="close" />
            </button>
          ) : null}
        </header>
        {description ? (
          <div id={descriptionId} className="dialog-description">
            {description}
          </div>
        ) : null}
        <div className="dialog-body">{children}</div>
        {footer ? <footer className="dialog-footer">{footer}</footer> : null}
      </div>
    </div>,
    document.body,
  );
}
