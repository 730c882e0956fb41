/* SPDX-License-Identifier: MIT
 * The probe `corral doctor` runs inside a real sandbox (as `corral
 * __doctor-probe WORKSPACE OUTSIDE`): it tries what the operator's checklist
 * asks about and prints one JSON object with what happened. */
#pragma once

int doctor_probe_main(const char *workspace, const char *outside);
