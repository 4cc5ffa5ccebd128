#include "backup/backup_export.hpp"

#include "backup/backup_files.hpp"
#include "backup/backup_rows.hpp"

#include <stdexcept>

namespace erp::emag {

std::vector<ManifestTable> export_tables(const std::string& db_url, const std::vector<DumpTable>& tables,
                                         const std::filesystem::path& dir) {
    std::vector<ManifestTable> out;
    TableExporter exporter(db_url); // one snapshot for all tables
    std::string line;
    for (const DumpTable& t : tables) {
        ManifestTable m;
        m.name = t.name;
        m.file = t.name + ".jsonl.gz";
        for (const DumpColumn& c : t.columns) {
            m.columns.push_back(c.name);
        }
        GzipWriter writer(dir / m.file);
        m.rows = exporter.export_rows(t, [&](const std::vector<Cell>& cells) {
            try {
                row_to_line(t.columns, cells, line);
            } catch (const std::exception& e) {
                throw std::runtime_error("table " + t.name + ": " + e.what());
            }
            line += '\n';
            writer.write(line);
        });
        const FileDigest d = writer.finish();
        m.sha256 = d.sha256;
        m.bytes = d.bytes;
        out.push_back(std::move(m));
    }
    return out;
}

} // namespace erp::emag
