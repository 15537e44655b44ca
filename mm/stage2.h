/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MINIHV_MM_STAGE2_H
#define MINIHV_MM_STAGE2_H

#include "mm/pgtable.h"

extern const struct minihv_pt_format minihv_stage2_format;

#endif /* MINIHV_MM_STAGE2_H */
