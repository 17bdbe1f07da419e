#include "profiles/batchfilereader.h"

#include <QFile>
#include <QFileInfo>

#include <zlib.h>

#include <cerrno>
#include <cstring>

using namespace Qt::StringLiterals;

namespace Dcs {

namespace {

// What one gzread() asks for, and zlib's own input buffer: large enough that a big file is
// read in few system calls, small enough to be noise in memory.
constexpr unsigned kChunkBytes = 256 * 1024;

QString systemError(int number)
{
    return QString::fromLocal8Bit(std::strerror(number));
}

} // namespace

BatchFileReader::BatchFileReader(qsizetype maxLineBytes)
    : m_maxLineBytes(maxLineBytes)
{
}

BatchFileReader::~BatchFileReader()
{
    close();
}

void BatchFileReader::close()
{
    if (m_file) {
        gzclose(m_file);
        m_file = nullptr;
    }
}

bool BatchFileReader::open(const QString &path, bool gzipped, QString *error)
{
    close();
    m_buffer.clear();
    m_position = 0;
    m_atEnd = false;
    m_error.clear();
    const auto fail = [&](const QString &message) {
        close();
        *error = message;
        return false;
    };

    const QFileInfo info(path);
    if (!info.exists())
        return fail(u"%1: no such file"_s.arg(path));
    if (info.isDir())
        return fail(u"%1: is a directory, not a batch file"_s.arg(path));
    errno = 0;
    m_file = gzopen(QFile::encodeName(path).constData(), "rb");
    if (!m_file)
        return fail(u"%1: cannot open: %2"_s.arg(path, systemError(errno ? errno : ENOMEM)));
    gzbuffer(m_file, kChunkBytes);
    // gzdirect() peeks at the first bytes: true for content that is not gzip (empty included).
    const bool plain = gzdirect(m_file) == 1;
    if (gzipped && plain)
        return fail(u"%1: the name ends in .gz but the content is not gzip-compressed"_s
                        .arg(path));
    if (!gzipped && !plain)
        return fail(u"%1: the content is gzip-compressed but the name does not end in .gz"_s
                        .arg(path));
    return true;
}

bool BatchFileReader::fill()
{
    if (!m_file || m_atEnd || hasError())
        return false;
    m_buffer.resize(kChunkBytes);
    const int read = gzread(m_file, m_buffer.data(), kChunkBytes);
    if (read < 0) {
        int code = Z_OK;
        const char *message = gzerror(m_file, &code);
        m_error = code == Z_ERRNO ? systemError(errno)
                                  : QString::fromLatin1(message ? message : "read error");
        if (m_error.isEmpty())
            m_error = u"read error"_s;
        m_buffer.clear();
        m_position = 0;
        return false;
    }
    m_buffer.resize(read);
    m_position = 0;
    if (read > 0)
        return true;
    m_atEnd = true;
    // gzread() answers a gzip stream that stops short like the end of a file; only gzerror()
    // tells the two apart (Z_BUF_ERROR), and a shorter file must not pass for the whole one.
    int code = Z_OK;
    gzerror(m_file, &code);
    if (code == Z_BUF_ERROR)
        m_error = u"the gzip stream ends early: the file is truncated"_s;
    else if (code != Z_OK)
        m_error = u"read error (zlib %1)"_s.arg(code);
    return false;
}

bool BatchFileReader::readLine(Line *line)
{
    line->bytes.clear();
    line->truncated = false;
    bool anyByte = false; // of this line, kept or dropped: tells a last line from no line
    for (;;) {
        if (m_position >= m_buffer.size() && !fill()) {
            // The end (or an error) with part of a line read: hand over that last line,
            // unless reading failed, when the caller must not apply half a line.
            return anyByte && !hasError();
        }
        const qsizetype newline = m_buffer.indexOf('\n', m_position);
        const qsizetype end = newline < 0 ? m_buffer.size() : newline;
        const qsizetype available = end - m_position;
        const qsizetype room = m_maxLineBytes - line->bytes.size();
        if (available > 0 || newline >= 0)
            anyByte = true;
        if (!line->truncated) {
            const qsizetype kept = qMin(available, room);
            line->bytes.append(m_buffer.constData() + m_position, kept);
            line->truncated = kept < available;
        }
        if (newline >= 0) {
            m_position = newline + 1;
            return true;
        }
        m_position = m_buffer.size();
    }
}

qint64 BatchFileReader::bytesRead() const
{
    return m_file ? qint64(gzoffset(m_file)) : 0;
}

} // namespace Dcs
