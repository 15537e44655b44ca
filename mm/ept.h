/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MINIHV_MM_EPT_H
#define MINIHV_MM_EPT_H

#include "mm/pgtable.h"

extern struct minihv_pt_format minihv_ept_format;

#endif /* MINIHV_MM_EPT_H */
