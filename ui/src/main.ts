import { App } from './app';

const byId = (id: string): HTMLElement => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el;
};

const app = new App(byId('main'), byId('toast'), byId('banner'));
void app.start();
