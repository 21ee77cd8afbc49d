import { KEY_HELP } from "./keyboard";

/** The `?` overlay: what each key of the Live page does. */
export function KeyHelp({ onClose }: { onClose: () => void }) {
  return (
    <div className="key-help" role="dialog" aria-label="Keyboard shortcuts" data-testid="key-help">
      <div className="key-help-box">
        <div className="key-help-head">
          <strong>Keyboard</strong>
          <button type="button" className="btn" onClick={onClose} aria-label="Close">
            ✕
          </button>
        </div>
        <table>
          <tbody>
            {KEY_HELP.map((k) => (
              <tr key={k.keys}>
                <td className="key-help-cell">
                  <kbd>{k.keys}</kbd>
                </td>
                <td className="key-help-cell">{k.does}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
