import { Delegation } from "./_components/Delegation.tsx";

export default function DelegatePage() {
  return <Delegation />;
}
