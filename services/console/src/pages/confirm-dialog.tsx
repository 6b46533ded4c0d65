import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * Asks before something that cannot be undone. A modal <dialog> opened with showModal(): the browser makes
 * the rest of the page inert, so focus stays inside it, Escape cancels, and focus returns to the control
 * that opened it. Focus starts on Cancel: Enter alone never deletes.
 */
export function ConfirmDialog(props: { title: string; children: ReactNode; confirmLabel: string; onConfirm(): void; onCancel(): void }): ReactNode {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    dialog.current?.showModal();
    cancel.current?.focus();
    return () => opener?.focus();
  }, []);
  return (
    <dialog ref={dialog} aria-labelledby={titleId} onCancel={(event) => { event.preventDefault(); props.onCancel(); }}>
      <h2 id={titleId}>{props.title}</h2>
      {props.children}
      <div>
        <button type="button" ref={cancel} onClick={props.onCancel}>Cancel</button>
        <button type="button" className="danger" onClick={props.onConfirm}>{props.confirmLabel}</button>
      </div>
    </dialog>
  );
}
