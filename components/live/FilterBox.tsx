import type { Ref } from "react";

interface FilterBoxProps {
  label: string;
  placeholder: string;
  value: string;
  onChange: (text: string) => void;
  /** The expression's problem, at a 0-based character position. */
  error: { message: string; position: number } | null;
  inputRef?: Ref<HTMLInputElement>;
  "data-testid": string;
}

/** One filter-language box (docs/filters.md); a mistake is marked under its position. */
export function FilterBox({
  label,
  placeholder,
  value,
  onChange,
  error,
  inputRef,
  "data-testid": testId,
}: FilterBoxProps) {
  return (
    <span className={`filter-box${error ? " has-error" : ""}`}>
      <input
        type="search"
        className="input mono"
        placeholder={placeholder}
        aria-label={label}
        aria-invalid={error !== null}
        spellCheck={false}
        data-testid={testId}
        ref={inputRef}
        value={value}
        onChange={(e) => onChange(e.target.value)}
      />
      {error && (
        <span
          className="filter-error"
          role="alert"
          data-testid={`${testId}-error`}
          data-position={error.position}
        >
          <span className="filter-error-text mono">
            {value.slice(0, error.position)}
            <u className="filter-error-at">{value.slice(error.position, error.position + 1) || " "}</u>
            {value.slice(error.position + 1)}
          </span>
          <span className="filter-error-message">{error.message}</span>
        </span>
      )}
    </span>
  );
}
