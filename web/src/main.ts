// The dashboard's entry: a hash router (#/ the jobs list, #/jobs/ID a job) and the API key button.
import "./style.css";
import { editKey, onKeyChange, storedKey } from "./key";
import { jobView } from "./views/job";
import { jobsView } from "./views/jobs";

const view = document.getElementById("view")!;
const keyButton = document.getElementById("key-button")!;
let leave: (() => void) | null = null;

function route(): void {
  leave?.();
  const match = /^#\/jobs\/([^/?#]+)/.exec(location.hash);
  leave = match ? jobView(view, decodeURIComponent(match[1])) : jobsView(view);
  window.scrollTo(0, 0);
}

function showKeyState(): void {
  keyButton.textContent = storedKey() ? "API key: set" : "API key";
  keyButton.title = storedKey() ? "Change or forget the stored API key" : "Enter an API key (needed when the service has keys)";
}

keyButton.addEventListener("click", () => void editKey());
onKeyChange(() => {
  showKeyState();
  route(); // reload the view with the new key
});
showKeyState();
window.addEventListener("hashchange", route);
route();
