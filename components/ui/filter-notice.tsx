/** Why a page shows its list unfiltered: the address's filters could not be used (see pageFilter). */
export function FilterNotice({ ignored }: { ignored: string | null }) {
  if (!ignored) return null;
  return (
    <p role="alert" className="rounded bg-amber-100 px-3 py-2 text-sm text-amber-900">
      {ignored}
    </p>
  );
}
