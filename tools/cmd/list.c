// SPDX-License-Identifier: GPL-2.0-only
/*
 * daxctl list, with kmem_hp devices shown as what they are.
 *
 * The stock daxctl lists a device bound to kmem_hp as "devdax" (only a
 * driver named exactly "kmem" counts as system-ram). The front end runs
 * the real "daxctl list" with the same arguments and patches the objects
 * of kmem_hp devices; everything else is printed exactly as the real one
 * printed it (when no device is bound to kmem_hp, its output is not even
 * parsed: the real daxctl is executed directly).
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <daxctl/libdaxctl.h>

#include "../builtin.h"
#include "../util/util.h"

/* Replace, anywhere in @j, objects of kmem_hp devices by patched copies. */
static struct json_object *patch_tree(struct json_object *j, struct daxctl_ctx *ctx)
{
	struct json_object *chardev, *sub, *patched;
	struct daxctl_dev *dev;
	size_t i;

	if (json_object_is_type(j, json_type_array)) {
		for (i = 0; i < json_object_array_length(j); i++) {
			sub = json_object_array_get_idx(j, i);
			patched = patch_tree(sub, ctx);
			if (patched != sub)
				json_object_array_put_idx(j, i, patched);
		}
		return j;
	}
	if (!json_object_is_type(j, json_type_object))
		return j;
	if (json_object_object_get_ex(j, "chardev", &chardev) &&
	    json_object_is_type(chardev, json_type_string)) {
		const char *name = json_object_get_string(chardev);

		dev = dax_on_driver(name, KMEM_HP_DRV) ? find_dev(ctx, name) : NULL;
		if (!dev)
			return j;
		patched = kmem_hp_patch_json(j, dev);
		return patched ? patched : j;
	}
	json_object_object_foreach(j, key, val) {
		patched = patch_tree(val, ctx);
		if (patched != val)
			json_object_object_add(j, key, patched);
	}
	return j;
}

/*
 * The json-c flags that reproduce @text from @j exactly, so that the
 * patched output differs from the real one only in the patched objects.
 */
static int reprint_flags(struct json_object *j, const char *text, size_t len)
{
	static const int candidates[] = {
		JSON_C_TO_STRING_PRETTY,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_PRETTY_TAB,
		JSON_C_TO_STRING_PLAIN,
	};
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(candidates); i++) {
		const char *s = json_object_to_json_string_ext(j, candidates[i]);

		n = strlen(s);
		if (n + 1 == len && !memcmp(s, text, n) && text[n] == '\n')
			return candidates[i];
	}
	return -1;
}

int cmd_list(int argc, char **argv, struct daxctl_ctx *ctx)
{
	struct json_object *root, *patched;
	char *out = NULL;
	size_t len = 0;
	int status, flags;

	(void)argc;
	/* Nothing to patch: the real daxctl's output as it is. */
	if (!kmem_hp_has_devices())
		exec_real_daxctl(argv);
	status = run_real_daxctl(argv, &out, &len, false);
	if (status < 0) {
		kh_err("list", "cannot run the real daxctl: %s", strerror(-status));
		return status;
	}
	root = (status == 0 && out) ? json_tokener_parse(out) : NULL;
	flags = root ? reprint_flags(root, out, len) : -1;
	if (flags < 0) {
		/* Not one JSON document as daxctl prints them: pass it on. */
		if (len)
			fwrite(out, 1, len, stdout);
	} else {
		patched = patch_tree(root, ctx);
		if (patched != root)
			json_object_put(root);
		root = patched;
		printf("%s\n", json_object_to_json_string_ext(root, flags));
	}
	json_object_put(root);
	free(out);
	return status;
}
