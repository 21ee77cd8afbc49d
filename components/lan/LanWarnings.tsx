/** The LAN channel's weakened security settings, as a banner nobody can miss (nothing when none). */
export function LanWarnings({ warnings }: { warnings: readonly string[] }) {
  if (warnings.length === 0) return null;
  return (
    <div className="lan-warnings" role="alert" data-testid="lan-warnings" data-count={warnings.length}>
      <strong>
        LAN security weakened by the profile ({warnings.length} setting{warnings.length === 1 ? "" : "s"}):
      </strong>
      <ul>
        {warnings.map((w) => (
          <li key={w} data-testid="lan-warning">
            {w}
          </li>
        ))}
      </ul>
    </div>
  );
}
