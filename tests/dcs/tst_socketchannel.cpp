#include "dcs/socketchannel.h"

#include <QSignalSpy>
#include <QTest>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace Dcs;

namespace {

// A connected pair of stream sockets: `channelEnd` goes to the channel, the test plays the
// peer on `peerEnd` (non-blocking, so a read never hangs the test).
struct SocketPair
{
    int channelEnd = -1;
    int peerEnd = -1;

    SocketPair()
    {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0) {
            channelEnd = fds[0];
            peerEnd = fds[1];
            ::fcntl(peerEnd, F_SETFL, ::fcntl(peerEnd, F_GETFL) | O_NONBLOCK);
        }
    }
    ~SocketPair()
    {
        if (peerEnd >= 0)
            ::close(peerEnd);
    }

    QByteArray readPeer()
    {
        QByteArray all;
        char buffer[65536];
        for (;;) {
            const ssize_t got = ::recv(peerEnd, buffer, sizeof(buffer), 0);
            if (got <= 0)
                return all;
            all.append(buffer, got);
        }
    }
    bool writePeer(const QByteArray &bytes)
    {
        return ::send(peerEnd, bytes.constData(), size_t(bytes.size()), 0) == bytes.size();
    }
};

QByteArray pattern(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char('a' + (i * 7 + i / 251) % 26);
    return bytes;
}

} // namespace

class tst_SocketChannel final : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void readsWhatArrives();
    void readStopsWhenDisabled();
    void sendsWhatTheKernelDoesNotTakeLater();
    void shutdownWaitsForQueuedBytes();
    void peerGoneFailsTheSend();
    void closeIsIdempotent();
};

void tst_SocketChannel::readsWhatArrives()
{
    SocketPair pair;
    QVERIFY(pair.channelEnd >= 0);
    SocketChannel channel(pair.channelEnd, nullptr);
    char buffer[64];
    QCOMPARE(channel.read(buffer, sizeof(buffer)).status, SocketChannel::ReadStatus::WouldBlock);

    QSignalSpy readable(&channel, &SocketChannel::readable);
    QVERIFY(pair.writePeer("GET / HTTP/1.1\r\n"));
    QVERIFY(readable.wait(5000));
    const SocketChannel::ReadResult result = channel.read(buffer, sizeof(buffer));
    QCOMPARE(result.status, SocketChannel::ReadStatus::Data);
    QCOMPARE(QByteArray(buffer, result.bytes), QByteArray("GET / HTTP/1.1\r\n"));

    ::shutdown(pair.peerEnd, SHUT_WR);
    QTRY_COMPARE_WITH_TIMEOUT(channel.read(buffer, sizeof(buffer)).status,
                              SocketChannel::ReadStatus::EndOfStream, 5000);
}

void tst_SocketChannel::readStopsWhenDisabled()
{
    SocketPair pair;
    SocketChannel channel(pair.channelEnd, nullptr);
    QSignalSpy readable(&channel, &SocketChannel::readable);
    channel.setReadEnabled(false);
    QVERIFY(pair.writePeer("x"));
    QVERIFY(!readable.wait(100)); // disabled: the byte waits in the kernel
    QCOMPARE(readable.count(), 0);
    channel.setReadEnabled(true);
    QVERIFY(readable.wait(5000));
    QVERIFY(channel.discardInput()); // read and dropped; the stream goes on
    char buffer[8];
    QCOMPARE(channel.read(buffer, sizeof(buffer)).status, SocketChannel::ReadStatus::WouldBlock);
}

// The kernel's buffer is pinned small: most of a 128 KiB answer has to wait in the channel and
// go out as the peer reads, in order, with bytesWritten() after each step.
void tst_SocketChannel::sendsWhatTheKernelDoesNotTakeLater()
{
    SocketPair pair;
    const int small = 4096;
    QCOMPARE(::setsockopt(pair.channelEnd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small)), 0);
    SocketChannel channel(pair.channelEnd, nullptr);
    QSignalSpy written(&channel, &SocketChannel::bytesWritten);

    const QByteArray first = pattern(64 * 1024);
    const QByteArray second = pattern(64 * 1024 + 17).mid(17);
    channel.write(first);
    channel.write(second);
    QCOMPARE(channel.bytesToWrite(), first.size() + second.size());
    QVERIFY(channel.flush());
    QVERIFY(channel.bytesToWrite() > 0);
    QVERIFY(channel.bytesToWrite() < first.size() + second.size());
    QCOMPARE(written.count(), 0); // never from inside flush()

    QByteArray received = pair.readPeer();
    QTRY_VERIFY_WITH_TIMEOUT((received += pair.readPeer(), channel.bytesToWrite() == 0), 10000);
    received += pair.readPeer();
    QCOMPARE(received.size(), first.size() + second.size());
    QVERIFY(received == first + second);
    QVERIFY(written.count() > 0);
}

void tst_SocketChannel::shutdownWaitsForQueuedBytes()
{
    SocketPair pair;
    const int small = 4096;
    ::setsockopt(pair.channelEnd, SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    SocketChannel channel(pair.channelEnd, nullptr);
    const QByteArray answer = pattern(64 * 1024);
    channel.write(answer);
    QVERIFY(channel.flush());
    QVERIFY(channel.bytesToWrite() > 0);
    QVERIFY(channel.shutdownWrite()); // deferred until the queue is out

    QByteArray received;
    bool ended = false;
    QTRY_VERIFY_WITH_TIMEOUT(([&] {
                                 char buffer[65536];
                                 for (;;) {
                                     const ssize_t got = ::recv(pair.peerEnd, buffer,
                                                                sizeof(buffer), 0);
                                     if (got > 0) {
                                         received.append(buffer, got);
                                         continue;
                                     }
                                     ended = got == 0;
                                     return ended;
                                 }
                             }()),
                             10000);
    QVERIFY(ended);
    QVERIFY(received == answer); // everything, then the end of the stream
}

void tst_SocketChannel::peerGoneFailsTheSend()
{
    SocketPair pair;
    SocketChannel channel(pair.channelEnd, nullptr);
    ::close(pair.peerEnd);
    pair.peerEnd = -1;
    channel.write("HTTP/1.1 200 OK\r\n\r\n");
    QVERIFY(!channel.flush()); // EPIPE, and no SIGPIPE kills the test
    QVERIFY(!channel.isOpen());
    char buffer[8];
    QCOMPARE(channel.read(buffer, sizeof(buffer)).status, SocketChannel::ReadStatus::Failed);
}

void tst_SocketChannel::closeIsIdempotent()
{
    SocketPair pair;
    auto *channel = new SocketChannel(pair.channelEnd, nullptr);
    channel->write("queued");
    channel->close();
    QVERIFY(!channel->isOpen());
    QCOMPARE(channel->bytesToWrite(), 0);
    channel->close();
    QVERIFY(!channel->flush());
    QVERIFY(!channel->shutdownWrite());
    delete channel; // closes nothing twice
    char buffer[8];
    QCOMPARE(::recv(pair.peerEnd, buffer, sizeof(buffer), 0), 0); // the peer sees the end
}

QTEST_GUILESS_MAIN(tst_SocketChannel)
#include "tst_socketchannel.moc"
