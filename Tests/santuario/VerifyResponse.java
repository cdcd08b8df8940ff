import java.io.File;
import java.io.FileInputStream;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.xml.security.Init;
import org.apache.xml.security.signature.SignedInfo;
import org.apache.xml.security.signature.XMLSignature;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Verifies a signed SOAP response of the platform with Apache Santuario (secure validation on),
 * an implementation independent of libxmlsec1: the message signature in wsse:Security must
 * verify with the given certificate's public key and cover the soap:Body and the Timestamp.
 * Usage: java -cp xmlsec.jar:slf4j-api.jar:. VerifyResponse response.xml signing-certificate.pem
 */
public final class VerifyResponse {
    static final String WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";
    static final String WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
    static final String DS = "http://www.w3.org/2000/09/xmldsig#";
    static final String SOAP = "http://schemas.xmlsoap.org/soap/envelope/";

    public static void main(String[] args) throws Exception {
        Init.init();
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(new File(args[0]));
        X509Certificate certificate;
        try (FileInputStream in = new FileInputStream(args[1])) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        NodeList all = document.getElementsByTagNameNS("*", "*");
        for (int i = 0; i < all.getLength(); i++) {
            Element element = (Element) all.item(i);
            if (element.hasAttributeNS(WSU, "Id")) element.setIdAttributeNS(WSU, "Id", true);
        }
        Element security = (Element) document.getElementsByTagNameNS(WSSE, "Security").item(0);
        Element signatureElement = null;
        for (Node child = security.getFirstChild(); child != null; child = child.getNextSibling()) {
            if (child instanceof Element && DS.equals(child.getNamespaceURI()) && "Signature".equals(child.getLocalName())) {
                signatureElement = (Element) child;
            }
        }
        Element body = (Element) document.getElementsByTagNameNS(SOAP, "Body").item(0);
        Element timestamp = (Element) document.getElementsByTagNameNS(WSU, "Timestamp").item(0);
        XMLSignature signature = new XMLSignature(signatureElement, "", true);
        boolean valid = signature.checkSignatureValue(certificate.getPublicKey());
        SignedInfo signedInfo = signature.getSignedInfo();
        boolean coversBody = false, coversTimestamp = false;
        for (int i = 0; i < signedInfo.getLength(); i++) {
            String uri = signedInfo.item(i).getURI();
            coversBody |= uri.equals("#" + body.getAttributeNS(WSU, "Id"));
            coversTimestamp |= uri.equals("#" + timestamp.getAttributeNS(WSU, "Id"));
        }
        if (valid && coversBody && coversTimestamp) {
            System.out.println("VERIFIED by Apache Santuario: " + signedInfo.getLength() + " references");
            return;
        }
        System.out.println("NOT VERIFIED valid=" + valid + " body=" + coversBody + " timestamp=" + coversTimestamp);
        System.exit(1);
    }
}
