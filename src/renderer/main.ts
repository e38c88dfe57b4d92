// The chart page's entry: the token from a #token= link, one VigilClient (IPC in the tray app's
// window, HTTP otherwise), and the page (page.ts). It opens on the live view (the last hour at raw
// resolution, following every new sample), and shows any day, week, month, year or span of days
// from the rollups Vigil keeps; every recorded metric has a chart, shown or hidden as the person
// likes. Zoom down to single seconds, export CSV.
import { authorizer, createClient } from './client.js';
import { Page } from './page.js';
import { takeTokenFromFragment } from './token.js';

takeTokenFromFragment();
const { client, transport, base } = createClient();
void new Page(client, authorizer(transport), base).start();
