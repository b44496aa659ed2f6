/** gPXE scripts for the seed's self-reset route (`/cgi/reset`). Only plain echo lines plus one chain to a configured URL. */
export const gpxeScript = {
  contentType: "text/plain",
  reset: (name: string, rebootUrl: string) => `#!gpxe\necho Cowherd: ${name} has a clean disk again, rebooting\nchain ${rebootUrl}\n`,
  error: (message: string) => `#!gpxe\necho Cowherd: ${message.replace(/[^A-Za-z0-9 .,:()'-]/g, "?")}\n`,
};
