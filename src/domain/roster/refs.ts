// What the list and project files may refer to: the units and people already in the roster. Pure.
import type { Role, UnitKind } from '../../generated/prisma/enums.js';

export interface UnitRef {
  id?: number;
  name: string;
  kind: UnitKind;
  active: boolean;
}

export interface PersonRef {
  id?: number;
  name: string;
  unitCode: string;
  role: Role;
  active: boolean;
}

export interface RosterRefs {
  units: ReadonlyMap<string, UnitRef>;
  people: ReadonlyMap<string, PersonRef>;
}
