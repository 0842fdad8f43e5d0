import './base.css';
import './sharing.css';
