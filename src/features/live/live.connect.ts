/** What the Worker tells the object about a verified subscriber (headers of the internal connect request). */
export const CONNECT_HEADERS = {
  channel: 'X-Live-Channel',
  user: 'X-Live-User',
  session: 'X-Live-Session',
  ip: 'X-Live-Ip',
  since: 'X-Live-Since',
  protocol: 'X-Live-Protocol',
} as const
