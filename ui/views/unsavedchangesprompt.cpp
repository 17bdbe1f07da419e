#include "views/unsavedchangesprompt.h"

#include <QMessageBox>
#include <QPushButton>

namespace Dcs {

void askAboutUnsavedChanges(QWidget *parent, const QString &name, const QString &unsaveableBecause,
                            std::function<void()> onSave, std::function<void()> onDiscard,
                            std::function<void()> onCancel)
{
    auto *box = new QMessageBox(QMessageBox::Question, QMessageBox::tr("Unsaved Changes"),
                                QMessageBox::tr("%1 has changes that are not saved.").arg(name),
                                QMessageBox::NoButton, parent);
    box->setObjectName(QStringLiteral("unsavedChangesDialog"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *saveButton = box->addButton(QMessageBox::Save);
    QPushButton *discardButton = box->addButton(QMessageBox::Discard);
    QPushButton *cancelButton = box->addButton(QMessageBox::Cancel);
    const bool saveable = unsaveableBecause.isEmpty();
    saveButton->setEnabled(saveable);
    if (!saveable)
        box->setInformativeText(unsaveableBecause);
    box->setDefaultButton(saveable ? saveButton : cancelButton);
    box->setEscapeButton(cancelButton);
    QObject::connect(box, &QMessageBox::finished, box,
                     [box, saveButton, discardButton, onSave, onDiscard, onCancel] {
                         QAbstractButton *clicked = box->clickedButton();
                         if (clicked == saveButton)
                             onSave();
                         else if (clicked == discardButton)
                             onDiscard();
                         else
                             onCancel();
                     });
    box->open();
}

} // namespace Dcs
