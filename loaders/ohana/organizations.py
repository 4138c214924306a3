"""organizations.csv -> Organization; programs.csv -> Program (Organization -RUNS-> Program)."""

from __future__ import annotations

from loaders.ohana.build import Build, pick
from loaders.ohana.files import CsvFile
from loaders.ohana.values import year

_ORGANIZATION = {
    "name": "name", "alternate_name": "alternateName", "description": "description", "email": "email",
    "website": "website", "legal_status": "legalStatus", "tax_status": "taxStatus", "tax_id": "taxId",
}


def read_organizations(table: CsvFile, build: Build) -> None:
    build.start(build.organizations, "organization", table)
    for row in table.rows:
        organization = build.register(build.organizations, "organization", table, row, "name")
        if organization is None:
            continue
        props = pick(row, _ORGANIZATION)
        incorporated = row.get("date_incorporated")
        if incorporated is not None:
            props["yearIncorporated"] = year(incorporated)
            if props["yearIncorporated"] is None:
                build.report.warning(table.name, row.number, "date_incorporated",
                                     f"{incorporated!r} holds no past year; left out")
        build.add(build.organizations, "Organization", row, organization, props)
        build.fund("Organization", organization, row)


def read_programs(table: CsvFile, build: Build) -> None:
    build.start(build.programs, "program", table)
    for row in table.rows:
        program = build.register(build.programs, "program", table, row, "name", "organization_id")
        if program is None:
            continue
        organization = build.organizations.resolve(row.values["organization_id"], build.report, table.name,
                                                   row.number, "organization_id", required=True)
        props = pick(row, {"name": "name", "alternate_name": "alternateName"})
        build.add(build.programs, "Program", row, program, props)
        if organization is not None:
            build.plan.add_relationship(("Organization", "RUNS", "Program"), organization, program)
            build.program_organization[program] = organization
