#pragma once

#include "profiles/batchfile.h"

#include <QByteArray>
#include <QString>

struct gzFile_s; // zlib's gzFile, kept out of this header

namespace Dcs {

// Reads a batch file one line at a time, plain or gzip-compressed, through zlib's gzip reader
// (Qt's qUncompress reads zlib streams, not gzip files): a buffer at a time, so a file of any
// size costs the same memory. Lines end at '\n' (a '\r' before it is the parser's to remove).
// A line longer than `maxLineBytes` is cut there, the rest of it up to its '\n' read and
// dropped, and handed over marked truncated; a last line without a '\n' is still a line.
//
// The name decides the format and the content must agree: a .gz name with plain content, or
// gzip content under a plain name, is refused with a reason rather than read as something else.
class BatchFileReader final
{
public:
    struct Line
    {
        QByteArray bytes;
        bool truncated = false;
    };

    explicit BatchFileReader(qsizetype maxLineBytes = BatchLineParser::MaxLineBytes);
    ~BatchFileReader();

    BatchFileReader(const BatchFileReader &) = delete;
    BatchFileReader &operator=(const BatchFileReader &) = delete;

    // False, with the reason in `error`, when `path` cannot be opened as said above.
    bool open(const QString &path, bool gzipped, QString *error);
    // The next line; false at the end of the file, or when reading failed (hasError()): a
    // damaged or truncated gzip stream, an I/O error.
    bool readLine(Line *line);

    bool hasError() const { return !m_error.isEmpty(); }
    // How far into the file on disk reading has got (compressed bytes for a .gz), for progress.
    qint64 bytesRead() const;
    QString errorString() const { return m_error; }

private:
    bool fill(); // false at the end or on an error
    void close();

    const qsizetype m_maxLineBytes;
    gzFile_s *m_file = nullptr;
    QByteArray m_buffer;
    qsizetype m_position = 0;
    bool m_atEnd = false;
    QString m_error;
};

} // namespace Dcs
