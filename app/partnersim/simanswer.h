#pragma once

#include <QByteArray>
#include <QStringView>

namespace Dcs {

// One HTTP answer of the simulator, before it goes on the wire.
struct SimAnswer
{
    int status = 200;
    QByteArray contentType; // none for 204
    QByteArray body;

    // Status line, Content-Type, Content-Length (not for 204), Connection, then the body.
    QByteArray serialize(bool keepAlive) const;

    static SimAnswer json(int status, const QByteArray &body);
    static SimAnswer text(int status, const QByteArray &body);
    static SimAnswer noContent();
    // {"error":"<message>"}
    static SimAnswer error(int status, QStringView message);

    static QByteArray reasonPhrase(int status);
};

} // namespace Dcs
