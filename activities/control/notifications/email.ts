import { createTransport } from 'nodemailer';
import type { EndpointNetworks } from '../../../lib/common/storage-access/endpoints.js';
import type { SmtpSecurity } from '../../../lib/common/enums.js';
import type { SendResult } from './webhook.js';

export interface SmtpSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string | null;
  password: string | null;
}

export interface Mail {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

/** The address `host` resolves to, if the installation lets notifications reach it. */
function allowedAddress(networks: EndpointNetworks, host: string): Promise<string> {
  return new Promise((resolve, reject) =>
    networks.lookup(host, {}, (error, address) => (error ? reject(error) : resolve(typeof address === 'string' ? address : address[0]!.address))),
  );
}

/**
 * One mail through the channel's SMTP server. nodemailer resolves names itself, so the host is resolved
 * here, checked, and the connection made to that address (TLS still verifies the certificate against
 * the host name): what is dialled is what was checked.
 */
export async function sendMail(networks: EndpointNetworks, smtp: SmtpSettings, mail: Mail, timeoutMs: number): Promise<SendResult> {
  let address: string;
  try {
    address = await allowedAddress(networks, smtp.host);
  } catch (error) {
    return { ok: false, error: (error as Error).message };
  }
  const transport = createTransport({
    host: address,
    port: smtp.port,
    secure: smtp.security === 'TLS',
    requireTLS: smtp.security === 'STARTTLS',
    ignoreTLS: smtp.security === 'NONE',
    name: 'haven',
    tls: { servername: smtp.host },
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    ...(smtp.username ? { auth: { user: smtp.username, pass: smtp.password ?? '' } } : {}),
  });
  try {
    await transport.sendMail(mail);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: `the SMTP server refused or could not be reached: ${(error as Error).message}` };
  } finally {
    transport.close();
  }
}
