import { coordinatorErrorText } from "../../../lib/coordinator.ts";

/** Says plainly that the coordinator's listing is unavailable, and what the page shows instead. */
export function CoordinatorNotice({ error, coordinatorUrl, fallback }: { error: Error; coordinatorUrl: string; fallback: string }) {
  return (
    <div className="notice bad" role="alert" data-testid="coordinator-down">
      <strong>Coordinator not reachable</strong> at <code>{coordinatorUrl}</code> ({coordinatorErrorText(error)}). Records ratified through an
      epoch are listed by the coordinator; {fallback}
    </div>
  );
}
