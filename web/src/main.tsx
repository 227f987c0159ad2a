import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { DemoApp } from './demo/DemoApp';
import { GatePage } from './demo/GatePage';
import { Shell } from './demo/Shell';
import './demo/demo.css';

// Two pages, one bundle: the server answers both / and /gate with index.html, and the path
// decides which page renders. Too little routing to justify a router.
const onGate = window.location.pathname.replace(/\/+$/, '') === '/gate';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <Shell page={onGate ? 'gate' : 'demo'}>{onGate ? <GatePage /> : <DemoApp />}</Shell>
  </StrictMode>,
);
