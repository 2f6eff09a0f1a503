; Inno Setup script: the counter app's installer for Windows 10 1809+ / 11 x64 (issue 13 item 4).
;
; Packs the PyInstaller one-folder build (packaging/counter_app.spec -> dist\counter-app).
; Per-user: no administrator rights, installed in %LOCALAPPDATA%\Programs\Counter App, a
; Start-menu shortcut. Vietnamese wizard (Vietnamese.isl, Inno Setup's unofficial translation,
; fetched by the workflow at a pinned commit into this folder; English if it is missing).
;
;   iscc /DAppVersion=0.1.0 /DDistDir=..\dist\counter-app packaging\counter_app.iss
;
; Mass roll-out (no questions, no windows; README "Cài đặt trên Windows"):
;   counter-app-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; /SILENT shows the progress bar only. The app's own updates run the same command
; (services/updates.py install_command) plus /RESTARTAPP, which starts the window again.
; The data (%LOCALAPPDATA%\counter-app) is never touched by install, update or uninstall.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef DistDir
  #define DistDir "..\dist\counter-app"
#endif
#ifndef OutputDir
  #define OutputDir "..\dist"
#endif

[Setup]
; A fixed AppId: updates replace the same install.
AppId={{6F0D7C2A-3B51-4E7A-9C1D-2A6B8E4F1C13}
AppName=Phần mềm Bộ phận Một cửa
AppVersion={#AppVersion}
AppVerName=Phần mềm Bộ phận Một cửa {#AppVersion}
AppPublisher=Bộ phận Một cửa
DefaultDirName={localappdata}\Programs\Counter App
DefaultGroupName=Phần mềm Bộ phận Một cửa
DisableProgramGroupPage=yes
DisableDirPage=auto
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Windows 10 1809 (build 17763): the floor of Qt 6.
MinVersion=10.0.17763
OutputDir={#OutputDir}
OutputBaseFilename=counter-app-{#AppVersion}-setup
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName=Phần mềm Bộ phận Một cửa
UninstallDisplayIcon={app}\counter-app-gui.exe
; The running app is closed for an update (Restart Manager), and not restarted by Setup
; itself: [Run] below starts it when the update asked for it.
CloseApplications=force
RestartApplications=no
SetupLogging=yes

[Languages]
#if FileExists(AddBackslash(SourcePath) + "Vietnamese.isl")
Name: "vi"; MessagesFile: "Vietnamese.isl"
#endif
Name: "en"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; An update must not leave files of the previous version that this one no longer ships.
[InstallDelete]
Type: filesandordirs; Name: "{app}\_internal"

[Icons]
Name: "{group}\Phần mềm Bộ phận Một cửa"; Filename: "{app}\counter-app-gui.exe"; WorkingDir: "{app}"
Name: "{group}\Màn hình gọi số"; Filename: "{app}\counter-app-gui.exe"; Parameters: "gui --window board"; WorkingDir: "{app}"
Name: "{group}\Máy lấy số (kiosk)"; Filename: "{app}\counter-app-gui.exe"; Parameters: "gui --window kiosk"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,Phần mềm Bộ phận Một cửa}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\Phần mềm Bộ phận Một cửa"; Filename: "{app}\counter-app-gui.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
; Interactive install: offer to open the app. An update (/RESTARTAPP): open it again.
Filename: "{app}\counter-app-gui.exe"; Description: "{cm:LaunchProgram,Phần mềm Bộ phận Một cửa}"; Flags: nowait postinstall skipifsilent
Filename: "{app}\counter-app-gui.exe"; Flags: nowait; Check: RestartRequested

[Code]
function RestartRequested(): Boolean;
var
  I: Integer;
begin
  Result := False;
  for I := 1 to ParamCount do
    if CompareText(ParamStr(I), '/RESTARTAPP') = 0 then
      Result := True;
end;
