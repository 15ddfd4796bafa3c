import { mount } from 'svelte';
import App from './ui/App.svelte';
import { ensureIsolation } from './ui/service-worker';
import './ui/theme.css';

// On a plain static host the service worker supplies COOP/COEP; the page reloads once under it.
const reloading = await ensureIsolation();
if (!reloading) mount(App, { target: document.getElementById('app')! });
