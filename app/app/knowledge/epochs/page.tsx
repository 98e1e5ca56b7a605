import { EpochIndex } from "./_components/EpochIndex.tsx";

export default function EpochsPage() {
  return <EpochIndex />;
}
