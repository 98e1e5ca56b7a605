import { MeshDashboard } from "./_components/MeshDashboard.tsx";

export default function MeshPage() {
  return <MeshDashboard />;
}
