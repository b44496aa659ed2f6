"use client";

import { requestJson } from "@/lib/client/fetcher";
import { Panel, subtle } from "./panel";

export function SessionsPanel() {
  return (
    <Panel title="Sessions" description="Ends your sessions in every browser, this one included.">
      <button
        type="button"
        className={subtle}
        onClick={async () => {
          await requestJson("POST", "/api/auth/logout-all").catch(() => undefined);
          window.location.assign("/login");
        }}
      >
        Log out everywhere
      </button>
    </Panel>
  );
}
