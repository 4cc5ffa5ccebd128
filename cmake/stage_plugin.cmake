# Script mode: copies LIBRARY into DEST and writes DEST/manifest.json from
# MANIFEST with "library" set to the file name and "sha256" to its checksum.
file(MAKE_DIRECTORY ${DEST})
get_filename_component(_name ${LIBRARY} NAME)
file(COPY_FILE ${LIBRARY} ${DEST}/${_name} ONLY_IF_DIFFERENT)
file(SHA256 ${DEST}/${_name} _sha)
file(READ ${MANIFEST} _json)
string(JSON _json SET "${_json}" library "\"${_name}\"")
string(JSON _json SET "${_json}" sha256 "\"${_sha}\"")
file(WRITE ${DEST}/manifest.json.tmp "${_json}\n")
file(RENAME ${DEST}/manifest.json.tmp ${DEST}/manifest.json)
