import type { Template } from 'aws-cdk-lib/assertions';

/** Small readers of a synthesized template for the infra tests. */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
}

/** The resources of one type, by logical id. */
export function resourcesOf(template: Template, type: string): [string, CfnResource][] {
  return Object.entries(template.findResources(type) as Record<string, CfnResource>);
}

/** The only resource of a type whose logical id starts with `prefix`. */
export function resourceNamed(template: Template, type: string, prefix: string): [string, CfnResource] {
  const found = resourcesOf(template, type).filter(([id]) => id.startsWith(prefix));
  if (found.length !== 1) throw new Error(`expected one ${type} named ${prefix}*, found ${found.length}`);
  return found[0] as [string, CfnResource];
}

/** An intrinsic as a readable string: `{Ref: X}` -> `<X>`, GetAtt -> `<X.Arn>`, Join -> the joined parts. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return `<${v.Ref}>`;
  if ('Fn::GetAtt' in v) return `<${(v['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  return JSON.stringify(value);
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Every (action, resource) an IAM role is allowed through the policies attached to it. */
export function permissionsOf(template: Template, roleId: string): { action: string; resource: string }[] {
  const grants: { action: string; resource: string }[] = [];
  for (const [, policy] of resourcesOf(template, 'AWS::IAM::Policy')) {
    const props = policy.Properties as { Roles: unknown[]; PolicyDocument: { Statement: unknown[] } };
    if (!props.Roles.some((role) => render(role) === `<${roleId}>`)) continue;
    for (const statement of props.PolicyDocument.Statement as Record<string, unknown>[]) {
      if (statement.Effect !== 'Allow') continue;
      for (const action of list(statement.Action as string | string[])) {
        for (const resource of list(statement.Resource)) grants.push({ action, resource: render(resource) });
      }
    }
  }
  return grants;
}

/** Whether a policy document denies every request made without TLS. */
export function deniesInsecureTransport(document: unknown): boolean {
  const statements = (document as { Statement: Record<string, unknown>[] }).Statement;
  return statements.some(
    (s) =>
      s.Effect === 'Deny' &&
      JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
  );
}
