// SPDX-License-Identifier: GPL-2.0
/*
 * QEMU's firmware configuration device, its I/O port interface (QEMU
 * docs/specs/fw_cfg.rst): a 16-bit selector at port 0x510 picks an item,
 * whose bytes the 8-bit data port 0x511 then reads one after the other
 * (0 past the end). Test guests written for QEMU's -kernel read the CPU
 * count and RAM size here. The items minihv has: the signature, the
 * feature bits (the traditional interface only: no DMA), the RAM size,
 * the CPU counts, and a file directory with "etc/e820", the memory map
 * as QEMU gives it (20-byte entries: address, length, type). Writes to
 * items are ignored, as in QEMU since 2.4 without DMA.
 */
#include <pthread.h>
#include <string.h>

#include "../minihv.h"
#include "x86.h"

#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_ID		0x0001
#define FW_CFG_RAM_SIZE		0x0003
#define FW_CFG_NB_CPUS		0x0005
#define FW_CFG_MAX_CPUS		0x000f
#define FW_CFG_FILE_DIR		0x0019
#define FW_CFG_FILE_FIRST	0x0020
#define FW_CFG_WRITE_CHANNEL	0x4000	/* ignored: items are read-only */

#define FW_CFG_ID_TRADITIONAL	(1U << 0)

#define NR_FILES		1

struct fw_cfg_item {
	uint16_t key;
	const void *data;
	uint32_t len;
};

/* The directory's entries: big-endian, 64 bytes each. */
struct fw_cfg_file {
	uint32_t size;
	uint16_t select, reserved;
	char name[56];
};

/* Its count, then the entries, as the guest reads them. */
#pragma pack(push, 1)
struct fw_cfg_dir {
	uint32_t count;
	struct fw_cfg_file f[NR_FILES];
};
#pragma pack(pop)

_Static_assert(sizeof(struct fw_cfg_dir) == 4 + 64 * NR_FILES, "fw_cfg dir");

struct fw_cfg {
	struct pio_dev pio;
	pthread_mutex_t lock;		/* guards cur and off */
	const struct fw_cfg_item *cur;	/* NULL: no such item */
	uint32_t off;

	char signature[4];
	uint32_t id;
	uint64_t ram_size;
	uint16_t nb_cpus, max_cpus;
	uint8_t e820[X86_E820_MAX * 20];
	struct fw_cfg_dir dir;
	struct fw_cfg_item items[6 + NR_FILES];
	int nr_items, nr_files;
};

static void add_item(struct fw_cfg *fc, uint16_t key, const void *data,
		     uint32_t len)
{
	struct fw_cfg_item *it = &fc->items[fc->nr_items++];

	it->key = key;
	it->data = data;
	it->len = len;
}

/* Files get keys from FW_CFG_FILE_FIRST up and an entry each. */
static void add_file(struct fw_cfg *fc, const char *name, const void *data,
		     uint32_t len)
{
	struct fw_cfg_file *f = &fc->dir.f[fc->nr_files];
	uint16_t key = FW_CFG_FILE_FIRST + fc->nr_files++;

	f->size = __builtin_bswap32(len);
	f->select = __builtin_bswap16(key);
	strncpy(f->name, name, sizeof(f->name) - 1);
	fc->dir.count = __builtin_bswap32(fc->nr_files);
	add_item(fc, key, data, len);
}

static const struct fw_cfg_item *find(struct fw_cfg *fc, uint16_t key)
{
	int i;

	key &= ~FW_CFG_WRITE_CHANNEL;
	for (i = 0; i < fc->nr_items; i++)
		if (fc->items[i].key == key)
			return &fc->items[i];
	return NULL;
}

/* The data port returns the next bytes of the item, in order. */
static uint32_t fw_cfg_in(struct pio_dev *dev, unsigned int off,
			  unsigned int len)
{
	struct fw_cfg *fc = dev->priv;
	const uint8_t *data;
	uint32_t val = 0;
	unsigned int i;

	if (off != 1)
		return ~0U;		/* the selector is write-only */
	pthread_mutex_lock(&fc->lock);
	for (i = 0; i < len; i++, fc->off++) {
		if (!fc->cur || fc->off >= fc->cur->len)
			continue;
		data = fc->cur->data;
		val |= (uint32_t)data[fc->off] << (8 * i);
	}
	pthread_mutex_unlock(&fc->lock);
	return val;
}

/* QEMU selects on a 16-bit write to either port; byte writes are data. */
static void fw_cfg_out(struct pio_dev *dev, unsigned int off, unsigned int len,
		       uint32_t val)
{
	struct fw_cfg *fc = dev->priv;

	if (len != 2)
		return;
	pthread_mutex_lock(&fc->lock);
	fc->cur = find(fc, val);
	fc->off = 0;
	pthread_mutex_unlock(&fc->lock);
}

static struct fw_cfg fw_cfg = {
	.pio = {
		.name = "fw_cfg",
		.size = 2,
		.in = fw_cfg_in,
		.out = fw_cfg_out,
		.priv = &fw_cfg,
	},
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

/* Little-endian integers, as QEMU stores them on x86. */
void fw_cfg_init(struct vmm *vmm, unsigned int port)
{
	struct fw_cfg *fc = &fw_cfg;
	struct x86_e820 map[X86_E820_MAX];
	int i, n = x86_e820(vmm, map);

	memcpy(fc->signature, "QEMU", 4);
	fc->id = FW_CFG_ID_TRADITIONAL;
	fc->ram_size = vmm->ram_size;
	fc->nb_cpus = vmm->cfg->cpus;
	fc->max_cpus = vmm->cfg->cpus;
	for (i = 0; i < n; i++) {
		memcpy(fc->e820 + 20 * i, &map[i].addr, 8);
		memcpy(fc->e820 + 20 * i + 8, &map[i].len, 8);
		memcpy(fc->e820 + 20 * i + 16, &map[i].type, 4);
	}

	add_item(fc, FW_CFG_SIGNATURE, fc->signature, 4);
	add_item(fc, FW_CFG_ID, &fc->id, 4);
	add_item(fc, FW_CFG_RAM_SIZE, &fc->ram_size, 8);
	add_item(fc, FW_CFG_NB_CPUS, &fc->nb_cpus, 2);
	add_item(fc, FW_CFG_MAX_CPUS, &fc->max_cpus, 2);
	add_item(fc, FW_CFG_FILE_DIR, &fc->dir, sizeof(fc->dir));
	add_file(fc, "etc/e820", fc->e820, 20 * n);

	fc->pio.base = port;
	vmm_add_pio(vmm, &fc->pio);
}
