/*
 * abi_probe: a library whose only purpose is to make every type of the C ABI
 * reachable from its one exported function, so that libabigail's abidw can
 * describe the ABI and abidiff can compare it with the committed baseline
 * (erp_plugin_abi_v1.xml). CI fails when a change breaks the ABI. Built with
 * debug info and never loaded by anyone.
 */
#include <erp_plugin/erp_plugin.h>

/* Every struct of the ABI, reachable from the exported entry's signature. */
struct erp_abi_probe_all {
    erp_sink sink;
    erp_host_api host;
    erp_job_def job;
    erp_validator_def validator;
    erp_monitor_def monitor;
    erp_db_mapping mapping;
    erp_http_request request;
    erp_http_response response;
    erp_route_def route;
    erp_static_def static_root;
    erp_registrar registrar;
    erp_plugin_api plugin;
    erp_plugin_entry_fn entry;
};

ERP_PLUGIN_EXPORT erp_status erp_plugin_entry(uint32_t host_abi_version, const erp_plugin_api** out_api,
                                              erp_sink* error) {
    static struct erp_abi_probe_all all;
    (void)host_abi_version;
    (void)error;
    *out_api = &all.plugin;
    return all.sink.struct_size == 0 ? ERP_E_UNSUPPORTED : ERP_OK;
}

/* Exported too (the version script is not used here) so abidw sees the
 * aggregate of all types. */
ERP_PLUGIN_EXPORT const struct erp_abi_probe_all* erp_abi_probe_types(void);
const struct erp_abi_probe_all* erp_abi_probe_types(void) {
    static struct erp_abi_probe_all all;
    return &all;
}
